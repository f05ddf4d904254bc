#!/usr/bin/env python3
"""Fail when the integration suite ran nothing, or skipped or failed anything.

A skipped integration test counts as a failed one: moto, botocore and kubectl must be there.
"""
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
tests = sum(int(s.get("tests", 0)) for s in suites)
skipped = sum(int(s.get("skipped", 0)) for s in suites)
failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
print(f"integration: {tests - skipped - failed} passed, {failed} failed, {skipped} skipped")
if tests == 0 or skipped or failed:
    print("integration suite incomplete: every integration test must run and pass", file=sys.stderr)
    sys.exit(1)
