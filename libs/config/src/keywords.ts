// Keywords keepalived 2.2.7 (Debian 12 build) accepts but this library does
// not model, per block. They are read silently, as keepalived would, so that
// only truly unknown keywords are reported. The lists were checked one by one
// against `keepalived -t` (a keyword missing here is "Unknown keyword" there).

import type { DiagnosticSink } from './diagnostics.js';
import type { ConfigNode } from './parser.js';

const words = (text: string): ReadonlySet<string> => new Set(text.split(/\s+/).filter(Boolean));

/** Top-level blocks and keywords other than the ones the model types. */
export const OTHER_TOP_LEVEL = words(`
  vrrp_track_process track_group static_ipaddress static_routes static_rules garp_group
  linkbeat_interfaces interface_up_down_delays bfd_instance track_file vrrp_track_file
  net_namespace net_namespace_ipvs namespace_with_ipsets use_pid_dir instance
  child_wait_time linkbeat_use_polling SSL
`);

export const UNMODELLED_GLOBAL_DEFS = words(`
  process_names process_name vrrp_process_name checker_process_name lvs_process_name
  bfd_process_name smtp_helo_name smtp_alert startup_script startup_script_timeout
  shutdown_script shutdown_script_timeout max_auto_priority min_auto_priority_delay
  smtp_alert_vrrp smtp_alert_checker checker_log_all_failures dynamic_interfaces
  no_email_faults default_interface disable_local_igmp lvs_timeouts lvs_flush
  lvs_flush_on_stop lvs_flush_onstop lvs_sync_daemon vrrp_min_garp vrrp_garp_extra_if
  vrrp_vmac_garp_intvl vrrp_lower_prio_no_advert vrrp_higher_prio_send_advert
  vrrp_iptables nftables nftables_priority nftables_ifindex nftables_ipvs
  nftables_ipvs_priority nftables_ipvs_start_fwmark nftables_counters vrrp_priority
  vrrp_no_swap vrrp_rt_priority vrrp_cpu_affinity vrrp_rlimit_rttime vrrp_rlimit_rtime
  notify_fifo_script vrrp_notify_fifo_script vrrp_notify_priority_changes lvs_notify_fifo
  lvs_notify_fifo_script checker_priority checker_no_swap checker_rt_priority
  checker_cpu_affinity checker_rlimit_rttime checker_rlimit_rtime bfd_priority bfd_no_swap
  bfd_rt_priority bfd_cpu_affinity bfd_rlimit_rttime bfd_rlimit_rtime snmp_socket
  enable_traps enable_snmp_vrrp enable_snmp_keepalived enable_snmp_rfc enable_snmp_rfcv2
  enable_snmp_rfcv3 enable_snmp_checker enable_dbus dbus_service_name
  vrrp_netlink_cmd_rcv_bufs vrrp_netlink_cmd_rcv_bufs_force vrrp_netlink_monitor_rcv_bufs
  vrrp_netlink_monitor_rcv_bufs_force process_monitor_rcv_bufs
  process_monitor_rcv_bufs_force lvs_netlink_cmd_rcv_bufs lvs_netlink_cmd_rcv_bufs_force
  lvs_netlink_monitor_rcv_bufs lvs_netlink_monitor_rcv_bufs_force rs_init_notifies
  no_checker_emails vrrp_rx_bufs_policy vrrp_rx_bufs_multiplier vrrp_startup_delay
  log_unknown_vrids vmac_prefix vmac_addr_prefix umask random_seed reload_check_config
  reload_time_file reload_repeat reload_file data_use_instance tmp_config_directory
  include_check vrrp_down_timer_adverts fifo_write_vrrp_states_on_reload
`);

export const UNMODELLED_VRRP_INSTANCE = words(`
  use_vmac_addr use_ipvlan old_unicast_checksum native_ipv6
  track_file track_process track_bfd track_src_ip unicast_ttl promote_secondaries
  linkbeat_use_polling virtual_routes virtual_rules accept no_accept debug notify_deleted
  notify_master_rx_lower_pri smtp_alert notify_priority_changes lvs_sync_daemon_interface
  down_timer_adverts garp_extra_if vmac_garp_intvl lower_prio_no_advert
  higher_prio_send_advert kernel_rx_buf_size
`);

export const UNMODELLED_SYNC_GROUP = words(`
  track_file track_process track_bfd smtp_alert global_tracking sync_group_tracking_weight
  notify_priority_changes
`);

export type Handler<T> = (node: ConfigNode, target: T) => void;

/**
 * Runs each statement of a block through its handler. Known-but-unmodelled
 * keywords pass silently; anything else is keepalived's "Unknown keyword".
 */
export function dispatchBlock<T>(
  children: readonly ConfigNode[],
  handlers: Readonly<Record<string, Handler<T>>>,
  unmodelled: ReadonlySet<string>,
  target: T,
  diagnostics: DiagnosticSink,
): void {
  for (const child of children) {
    const handler = Object.hasOwn(handlers, child.keyword) ? handlers[child.keyword] : undefined;
    if (handler) handler(child, target);
    else if (!unmodelled.has(child.keyword)) diagnostics.warn(child.location, `unknown keyword '${child.keyword}'`);
  }
}

/**
 * The parameter at `index` (1 = first after the keyword). keepalived exits
 * at once when one is missing, so the diagnostic is an `abort`.
 */
export function requireArg(node: ConfigNode, index: number, diagnostics: DiagnosticSink): string | undefined {
  const value = index === 0 ? node.keyword : node.args[index - 1];
  if (value !== undefined) return value;
  diagnostics.add({
    severity: 'error',
    kind: 'abort',
    location: node.location,
    message: `configuration line starting '${node.keyword}' is missing a parameter after keyword '${index === 1 ? node.keyword : node.args[index - 2]}' at word position ${index + 1} - keepalived stops reading here`,
  });
  return undefined;
}

/** keepalived's value blocks (`virtual_ipaddress { ... }`): each line is one entry. */
export function valueBlock(node: ConfigNode, diagnostics: DiagnosticSink): readonly ConfigNode[] {
  if (node.children === undefined) {
    diagnostics.warn(node.location, `'{' missing from beginning of block ${node.keyword} - block ignored`);
    return [];
  }
  for (const child of node.children) {
    if (child.children !== undefined) diagnostics.warn(child.location, `unexpected block after '${child.keyword}' in ${node.keyword} - ignored`);
  }
  return node.children.filter((child) => child.children === undefined);
}
