using BenchmarkDotNet.Running;
using IronAspire.Pii.Benchmarks;

// dotnet run -c Release --project bench/IronAspire.Pii.Benchmarks -- --filter '*'   (BenchmarkDotNet, wall-clock)
// dotnet run -c Release --project bench/IronAspire.Pii.Benchmarks -- --cpu          (same operations, thread CPU time)
if (args is ["--cpu"])
{
    CpuTimeRun.Run();
}
else
{
    BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
