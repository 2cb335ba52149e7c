"""The measuring tools: synthetic data at city / province / decade scale (datagen, `generate_data`), per-page
timings and query counts (benchmarking, `bench`), and the HTTP load test (loadtest, `loadtest`). Nothing in the
product imports this app."""
