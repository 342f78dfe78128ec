"""What an operator watches: job runs recorded by every worker, and figures read at scrape time."""
