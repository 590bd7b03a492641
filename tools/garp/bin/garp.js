#!/usr/bin/env node
import "../dist/garp.js";
