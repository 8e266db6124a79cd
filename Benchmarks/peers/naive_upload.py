#!/usr/bin/env python3
"""The peer for the upload benchmark: what a user might write instead — a sequential uploader with
python-requests and one keep-alive session, sending the same payloads to the same simulator.
No ledger, no retries, no lookups.

  naive_upload.py BASE_URL BATCH_FOLDER
"""
import glob
import json
import sys
import time

import requests

base, folder = sys.argv[1], sys.argv[2]
session = requests.Session()
token = session.post(base + "/connect/token", data={
    "grant_type": "client_credentials", "client_id": "flexyvisma-demo", "client_secret": "flexyvisma-demo-secret",
    "tenant_id": "6f1d3f7e-3c1a-4d55-9a61-0b5a3c0f2a10"}).json()["access_token"]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
records = []
for path in sorted(glob.glob(folder + "/payloads/*.jsonl")):
    with open(path) as f:
        records += [json.loads(line) for line in f]
start = time.monotonic()
failed = 0
for record in records:
    body = record["body"] if isinstance(record["body"], str) else json.dumps(record["body"])
    response = session.request(record["method"], base + record["path"], data=body.encode(), headers=headers)
    if response.status_code >= 300:
        failed += 1
elapsed = time.monotonic() - start
print("%d %.3f %d" % (len(records), elapsed, failed))
