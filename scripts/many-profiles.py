#!/usr/bin/env python3
"""Writes the AWS config an organisation with IAM Identity Center generates: one profile per account
and role (400 accounts x 5 roles = 2,000 profiles, about 256 KB), plus a plain static-key profile
`static` that the benchmark signs with. Usage: scripts/many-profiles.py CONFIG CREDENTIALS"""
import sys

config_path, credentials_path = sys.argv[1], sys.argv[2]
roles = ["AdministratorAccess", "PowerUserAccess", "ReadOnlyAccess", "ViewOnlyAccess", "Billing"]
with open(config_path, "w") as config:
    config.write("[sso-session org]\nsso_start_url = https://d-1234567890.awsapps.com/start\n"
                 "sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n")
    for account in range(400):
        account_id = f"{100000000000 + account * 7919:012d}"
        for role in roles:
            config.write(f"[profile acct{account:03d}-{role}]\n"
                         f"sso_session = org\nsso_account_id = {account_id}\nsso_role_name = {role}\n"
                         f"region = eu-west-1\noutput = json\n\n")
    config.write("[profile static]\nregion = eu-west-1\n")
with open(credentials_path, "w") as credentials:
    credentials.write("[static]\naws_access_key_id = AKIDEXAMPLE\n"
                      "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n")
