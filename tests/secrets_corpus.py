"""Fake credentials in the formats teams leak, one file per format family (none of them is real)."""

from __future__ import annotations

from pathlib import Path

# value -> where it is planted; every value is unique, so a leak of any byte of it can be searched for.
FAKE_SECRETS = {
    "AKIAZZQ3X5RYBKQ7NOP4": "config/aws.py",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzq8Wkq9PLm": "config/aws.py",
    "ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0": "scripts/deploy.sh",
    "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2lZ5xC8v": "scripts/deploy.sh",
    "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1": "app/notify.py",
    "sk_live_51HqLyjWDarjtT1zdp7dc4eC3": "app/billing.py",
    "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2NTQzMjEiLCJuYW1lIjoiRmFrZSBVc2VyIiwiaWF0IjoxNzAwMDAwMDAwfQ.qK3vZq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0jK4": "app/auth.py",
    "S3cr3tPassw0rdForDb": "config/database.yml",
    "q8Zr!vT2pLm9-Kx4#Wn7": "config/settings.json",
    "Tr0ub4dorAndHorse93x": ".env",
    "Zx9Kq2Lm7Pw4Rt8Vb3Nc": "deploy/app.ini",
    "tfPassw0rd-Hq83Lz2Ww": "infra/main.tf",
    "f3b9c2a1d4e5f60718293a4b5c6d7e8f9a0b1c2d": "app/hashes.py",
    "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": "app/mail.py",
    "glpat-Zq8Wkq9PLmD3vB7nR2tY": "scripts/deploy.sh",
    "npm_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0": ".npmrc",
    "AIzaSyZq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6": "app/maps.py",
}

PRIVATE_KEY_BODY = "MIIEowIBAAKCAQEAzq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0jK3lZ7xC9vB2nM5qW8eR1tY4uI7oP0aS3d"

FILES = {
    "config/aws.py": (
        'AWS_ACCESS_KEY_ID = "AKIAZZQ3X5RYBKQ7NOP4"\n'
        'aws_secret_access_key = "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"\n'
    ),
    "scripts/deploy.sh": (
        "export GITHUB_TOKEN=ghp_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0\n"
        "export GH_PAT=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2lZ5xC8v\n"
        "export GITLAB_TOKEN=glpat-Zq8Wkq9PLmD3vB7nR2tY\n"
    ),
    "app/notify.py": 'SLACK_TOKEN = "xoxb-263594206564-2343594206574-FGqddMF8t08v8N7Oq4i57vs1"\n',
    "app/billing.py": 'stripe_key = "sk_live_51HqLyjWDarjtT1zdp7dc4eC3"\n',
    "app/auth.py": (
        'TOKEN = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI5ODc2NTQzMjEiLCJuYW1lIjoiRmFrZSBVc2VyIiwiaWF0'
        'IjoxNzAwMDAwMDAwfQ.qK3vZq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0jK4"\n'
    ),
    "config/database.yml": "production:\n  url: postgres://admin:S3cr3tPassw0rdForDb@db.example.com:5432/app\n",
    "config/settings.json": '{\n  "db_password": "q8Zr!vT2pLm9-Kx4#Wn7"\n}\n',
    ".env": "SECRET_PASSWORD=Tr0ub4dorAndHorse93x\n",
    "deploy/app.ini": "[db]\npassword = Zx9Kq2Lm7Pw4Rt8Vb3Nc\n",
    "infra/main.tf": 'resource "aws_db_instance" "db" {\n  password = "tfPassw0rd-Hq83Lz2Ww"\n}\n',
    "app/hashes.py": 'SIGNING_SECRET = "f3b9c2a1d4e5f60718293a4b5c6d7e8f9a0b1c2d"\n',
    "app/mail.py": 'SENDGRID_API_KEY = "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"\n',
    ".npmrc": "//registry.npmjs.org/:_authToken=npm_Zq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6gH0\n",
    "app/maps.py": 'MAPS_KEY = "AIzaSyZq8Wkq9PLmD3vB7nR2tY5uI8oP1aS4dF6"\n',
    "keys/id_rsa": f"-----BEGIN RSA PRIVATE KEY-----\n{PRIVATE_KEY_BODY}\n-----END RSA PRIVATE KEY-----\n",
}

# Look-alikes that are not secrets: no finding expected beyond what detect-secrets itself reports.
LOOK_ALIKES = {
    "app/ids.py": 'REQUEST_ID = "123e4567-e89b-12d3-a456-426614174000"\n',
    "app/env.py": 'import os\n\npassword = os.environ["DB_PASSWORD"]\ntoken = os.getenv("API_TOKEN")\n',
    "app/placeholder.py": 'api_key = "<your-api-key-here>"\npassword = "changeme"\n',
    "poetry.lock": '[[package]]\nname = "x"\nfiles = [{file = "x.whl", hash = "sha256:3b8a2e1c9f7d6e5a4b3c2d1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a"}]\n',
}


def plant(root: Path, files: dict[str, str] = FILES) -> list[str]:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return sorted(files)


def all_values() -> list[str]:
    return [*FAKE_SECRETS, PRIVATE_KEY_BODY]
