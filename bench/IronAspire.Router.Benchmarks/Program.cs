using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project bench/IronAspire.Router.Benchmarks -- --filter '*'
// The Router's work per streamed call inside its own process (no sockets): the load benchmark measures the whole path.
BenchmarkSwitcher.FromAssembly(typeof(IronAspire.Router.Benchmarks.StreamRelayBenchmarks).Assembly).Run(args);
