#!/usr/bin/env node
import "../dist/ipvsadm-ts.js";
