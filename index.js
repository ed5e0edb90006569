// n8n loads this package's nodes and credentials from the "n8n" block in package.json.
