#!/usr/bin/env bash
# Execute the notebooks in place, keeping their outputs: `npm run notebook`.
# Installs what it needs: Jupyter from Debian's packages (root on these machines) and the tslab
# TypeScript kernel from the project's own node_modules.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v jupyter >/dev/null || ! /usr/bin/python3 -c 'import ipykernel' 2>/dev/null; then
  echo "notebooks: installing jupyter-nbconvert and python3-ipykernel (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jupyter-nbconvert python3-ipykernel >/dev/null
fi
export PATH="$PWD/../node_modules/.bin:$PATH"
tslab install --python=/usr/bin/python3 >/dev/null
for nb in *.ipynb; do
  echo "notebooks: executing $nb"
  jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.timeout=600 "$nb"
done
