using BenchmarkDotNet.Running;

// dotnet run -c Release --project bench/IronAspire.Pii.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
