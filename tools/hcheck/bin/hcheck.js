#!/usr/bin/env node
import "../dist/hcheck.js";
