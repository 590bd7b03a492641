#!/usr/bin/env node
import "../dist/vrrpdump.js";
