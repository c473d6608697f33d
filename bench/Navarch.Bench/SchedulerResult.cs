using System.Globalization;

namespace Navarch.Bench;

/// <summary>
/// One <c>scheduler</c> benchmark scenario's figures: throughput from the first create sent to the last bind seen,
/// create-to-bound latency percentiles, and the scheduler process's CPU and memory. <see cref="Failure"/> is null
/// when every pod was bound and the placements obeyed the scenario's rules.
/// </summary>
internal sealed record SchedulerResult(
    string Scenario,
    int Nodes,
    int Pods,
    int Bound,
    double CreatesPerSecond,
    double PodsPerSecond,
    double P50Milliseconds,
    double P99Milliseconds,
    double SchedulerCpuSeconds,
    double SchedulerPeakMebibytes,
    double SchedulerMebibytes,
    double ServerMebibytes,
    string? Failure)
{
    public static string Header =>
        $"{"scenario",-14} {"nodes",6} {"pods",6} {"bound",6} {"creates/s",9} {"pods/s",8} {"p50 ms",8} {"p99 ms",8} " +
        $"{"sched cpu s",11} {"sched peak MiB",14} {"sched RSS MiB",13} {"server RSS MiB",14}";

    public static SchedulerResult Failed(string scenario, int nodes, int pods, string failure) =>
        new(scenario, nodes, pods, 0, 0, 0, 0, 0, 0, 0, 0, 0, failure);

    public string Row() =>
        string.Create(
            CultureInfo.InvariantCulture,
            $"{Scenario,-14} {Nodes,6} {Pods,6} {Bound,6} {CreatesPerSecond,9:F0} {PodsPerSecond,8:F1} {P50Milliseconds,8:F0} {P99Milliseconds,8:F0} {SchedulerCpuSeconds,11:F1} {SchedulerPeakMebibytes,14:F0} {SchedulerMebibytes,13:F0} {ServerMebibytes,14:F0}{(Failure is null ? "" : "  FAILED")}");
}
