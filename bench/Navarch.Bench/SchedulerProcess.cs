namespace Navarch.Bench;

/// <summary>
/// <c>navarch scheduler</c> as its own child process (so its memory and CPU are its own), from the same copy of the
/// build as the server, with its health server on a loopback port; killed (with any children) on dispose.
/// </summary>
internal sealed class SchedulerProcess : IAsyncDisposable
{
    private const string ApiQps = "5000";

    private readonly ComponentProcess _process;

    private SchedulerProcess(ComponentProcess process) => _process = process;

    public int ProcessId => _process.ProcessId;

    public Uri HealthUrl => _process.HealthUrl;

    /// <summary>
    /// Starts <c>navarch scheduler</c> from <paramref name="assembly"/> with the given kubeconfig, no leader election, and
    /// scheduler_perf's client limits (5000 QPS and burst).
    /// </summary>
    public static SchedulerProcess Start(string assembly, string kubeconfig) =>
        new(ComponentProcess.Start(assembly, "scheduler", kubeconfig, [
            "--leader-elect=false",
            // As scheduler_perf configures its scheduler's client: kube-scheduler's default 50 QPS would cap the
            // benchmark at about 50 binds a second, measuring the limiter rather than the scheduler.
            "--kube-api-qps", ApiQps,
            "--kube-api-burst", ApiQps,
        ]));

    /// <summary>Waits until <c>/healthz</c> answers 200.</summary>
    public Task WaitHealthyAsync(CancellationToken ct) => _process.WaitHealthyAsync(ct);

    /// <summary>The scheduler's resident set (VmRSS of /proc/&lt;pid&gt;/status) in bytes.</summary>
    public long ResidentBytes() => _process.ResidentBytes();

    /// <summary>The scheduler's peak resident set (VmHWM) in bytes.</summary>
    public long PeakResidentBytes() => _process.PeakResidentBytes();

    public TimeSpan CpuTime() => _process.CpuTime();

    /// <summary>Whether the scheduler is still running, and its last lines of output (for a failure's message).</summary>
    public string Describe() => _process.Describe();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
