#!/usr/bin/env node
import "../dist/vrrpd.js";
