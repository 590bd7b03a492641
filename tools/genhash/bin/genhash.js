#!/usr/bin/env node
import "../dist/genhash.js";
