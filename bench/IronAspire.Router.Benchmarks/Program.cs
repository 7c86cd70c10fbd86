using BenchmarkDotNet.Running;

// Usage: dotnet run -c Release --project bench/IronAspire.Router.Benchmarks -- --filter '*'
// The Router's own work per call inside its process (no sockets): a request's steps, a stream through the relay.
// The load benchmark measures the whole path.
BenchmarkSwitcher.FromAssembly(typeof(IronAspire.Router.Benchmarks.StreamRelayBenchmarks).Assembly).Run(args);
