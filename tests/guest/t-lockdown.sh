#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# profiles: lockdown
# Booted with lockdown=confidentiality: relpoline's tracefs files behave
# like the rest of tracefs (tests/security/lockdown-check.sh).
set -u
exec bash "$RELPOLINE_TOP/tests/security/lockdown-check.sh"
