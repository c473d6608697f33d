using System.Globalization;

namespace Navarch.Bench;

/// <summary>
/// One <c>deployment</c> benchmark run's figures, all timed from the scale request: when the last pod was seen created
/// and bound, the CPU the controller manager and the server (with its embedded scheduler) used meanwhile, and their
/// memory. <see cref="Failure"/> is null when exactly the requested number of pods exists and all are bound.
/// </summary>
internal sealed record DeploymentResult(
    string Workload,
    int Nodes,
    int Pods,
    int Created,
    int Bound,
    int Listed,
    double FirstCreatedSeconds,
    double AllCreatedSeconds,
    double AllBoundSeconds,
    double ControllerManagerCpuSeconds,
    double ServerCpuSeconds,
    double BenchCpuSeconds,
    double ControllerManagerPeakMebibytes,
    double ControllerManagerMebibytes,
    double ServerPeakMebibytes,
    double ServerMebibytes,
    string? Failure)
{
    /// <summary>The table, one figure a line.</summary>
    public IEnumerable<string> Rows()
    {
        var c = CultureInfo.InvariantCulture;
        yield return string.Create(c, $"{"workload",-34} {Workload}");
        yield return string.Create(c, $"{"nodes",-34} {Nodes}");
        yield return string.Create(c, $"{"pods requested",-34} {Pods}");
        yield return string.Create(c, $"{"pods created (watch, distinct)",-34} {Created}");
        yield return string.Create(c, $"{"pods bound (watch)",-34} {Bound}");
        yield return string.Create(c, $"{"pods listed at the end",-34} {Listed}");
        yield return string.Create(c, $"{"first pod created s",-34} {FirstCreatedSeconds:F2}");
        yield return string.Create(c, $"{"all pods created s",-34} {AllCreatedSeconds:F2}");
        yield return string.Create(c, $"{"all pods bound s",-34} {AllBoundSeconds:F2}");
        yield return string.Create(c, $"{"creates/s (scale to all created)",-34} {Rate(Created, AllCreatedSeconds):F0}");
        yield return string.Create(c, $"{"binds/s (scale to all bound)",-34} {Rate(Bound, AllBoundSeconds):F0}");
        yield return string.Create(c, $"{"controller-manager cpu s",-34} {ControllerManagerCpuSeconds:F1}");
        yield return string.Create(c, $"{"server+scheduler cpu s",-34} {ServerCpuSeconds:F1}");
        yield return string.Create(c, $"{"bench cpu s",-34} {BenchCpuSeconds:F1}");
        yield return string.Create(c, $"{"controller-manager peak RSS MiB",-34} {ControllerManagerPeakMebibytes:F0}");
        yield return string.Create(c, $"{"controller-manager RSS MiB",-34} {ControllerManagerMebibytes:F0}");
        yield return string.Create(c, $"{"server peak RSS MiB",-34} {ServerPeakMebibytes:F0}");
        yield return string.Create(c, $"{"server RSS MiB",-34} {ServerMebibytes:F0}");
    }

    private static double Rate(int count, double seconds) => seconds > 0 ? count / seconds : 0;
}
