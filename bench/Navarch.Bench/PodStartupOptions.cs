using System.Globalization;

namespace Navarch.Bench;

/// <summary>The <c>pod-startup</c> benchmark's command line.</summary>
/// <param name="Pods">Measured pods (all on the one node; it holds 110).</param>
/// <param name="Qps">Creates per second at a steady rate, as clusterloader2's latency pods; 0 creates them all at once.</param>
/// <param name="Timeout">How long the measured pods may take to all be Running.</param>
/// <param name="ServerArguments">Extra <c>navarch server</c> flags, as is.</param>
/// <param name="CriProbePods">Pods of each kind the CRI probe starts after the run (0 skips it).</param>
/// <param name="AgentOnTmpfs">Mount a tmpfs on the agent's directory first, to see what disk writes (fsync) cost.</param>
internal sealed record PodStartupOptions(
    int Pods, double Qps, TimeSpan Timeout, IReadOnlyList<string> ServerArguments, int CriProbePods, bool AgentOnTmpfs = false)
{
    public const int DefaultPods = 100;

    /// <summary>clusterloader2's load test creates its latency pods at 5 per second ("Uniform5QPS").</summary>
    public const double DefaultQps = 5;

    public const string Usage =
        "usage: Navarch.Bench pod-startup [--pods N] [--qps Q (0 = all at once)] [--timeout SECONDS] [--cri-probe PODS] [--agent-tmpfs] [--server-arg ARG]...   " +
        "(defaults 100 pods, 5 per second, 120 s, 5 probe pods)";

    /// <summary>Parses <c>--pods N --qps Q --timeout S --cri-probe P --agent-tmpfs</c> and any number of <c>--server-arg ARG</c>; false on anything else.</summary>
    public static bool TryParse(string[] args, out PodStartupOptions options)
    {
        options = new PodStartupOptions(DefaultPods, DefaultQps, TimeSpan.FromSeconds(120), [], 5);
        var serverArguments = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--agent-tmpfs")
            {
                options = options with { AgentOnTmpfs = true };
                continue;
            }

            var (name, text) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            switch (name)
            {
                case "--pods" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var pods) && pods is > 0 and <= 110:
                    options = options with { Pods = pods };
                    break;
                case "--qps" when double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var qps) && qps >= 0:
                    options = options with { Qps = qps };
                    break;
                case "--timeout" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0:
                    options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--cri-probe" when int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var probe):
                    options = options with { CriProbePods = probe };
                    break;
                case "--server-arg" when !string.IsNullOrEmpty(text):
                    serverArguments.Add(text);
                    break;
                default:
                    return false;
            }
        }

        options = options with { ServerArguments = serverArguments };
        return true;
    }
}
