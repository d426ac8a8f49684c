"""Numbers from arrays: balance metrics, slice statistics, chunked global scans."""
