"""POST a JSON file to a URL with Python's `requests` (Debian's python3-requests) and print the
reply as one JSON object: {"status": <HTTP status>, "body": <the reply's JSON>}.

Used by GatewayIT to call the gateway the way a Python trainer does:
    /usr/bin/python3 post_json.py http://127.0.0.1:PORT/v1/score/pairs body.json
"""

import json
import sys

import requests


def main(url, body_file):
    with open(body_file, encoding="utf-8") as f:
        body = json.load(f)
    reply = requests.post(url, json=body, timeout=300)
    print(json.dumps({"status": reply.status_code, "body": reply.json()}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
