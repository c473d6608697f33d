using Navarch.Bench;

// One entry per benchmark command; adding a benchmark is adding a line here.
var commands = new Dictionary<string, Func<string[], CancellationToken, Task<int>>>(StringComparer.Ordinal)
{
    ["store"] = StoreBenchmark.RunAsync,
    ["api"] = ApiBenchmark.RunAsync,
    ["scheduler"] = SchedulerBenchmark.RunAsync,
    ["scheduler-core"] = SchedulerCoreBenchmark.RunAsync,
    ["deployment"] = DeploymentBenchmark.RunAsync,
    ["pod-startup"] = PodStartupBenchmark.RunAsync,
};

if (args.Length == 0 || !commands.TryGetValue(args[0], out var command))
{
    Console.Error.WriteLine($"usage: Navarch.Bench <{string.Join('|', commands.Keys)}> [options]");
    return 2;
}

using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};

return await command(args[1..], stop.Token);
