"""Performance monitoring: transactions, spans, latency sketches and the percentile queries built on them."""
