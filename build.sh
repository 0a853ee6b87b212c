#!/usr/bin/env bash
# Bootstraps Cake (pinned in .config/dotnet-tools.json) and runs build.cake.
#   ./build.sh                    Build (the default target)
#   ./build.sh --target=Test      Setup, Build, then every test project
# Targets: Setup, Build, Test, Demo, Publish, Bench, Train (see the top of build.cake).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

export DOTNET_CLI_TELEMETRY_OPTOUT=1
export DOTNET_NOLOGO=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
# Cake's task-duration table would otherwise follow the Test target's closing
# "N passed, N failed" line; CAKE_SETTINGS_NOREPORT=false brings it back.
export CAKE_SETTINGS_NOREPORT="${CAKE_SETTINGS_NOREPORT:-true}"

dotnet tool restore >/dev/null
exec dotnet cake build.cake "$@"
