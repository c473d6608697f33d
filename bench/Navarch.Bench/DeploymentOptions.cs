using System.Globalization;

namespace Navarch.Bench;

/// <summary>The <c>deployment</c> benchmark's command line.</summary>
internal sealed record DeploymentOptions(
    int Pods,
    int? Nodes,
    int Clients,
    DeploymentWorkload Workload,
    int? SchedulerQps,
    IReadOnlyList<string> ControllerManagerArguments,
    TimeSpan? Timeout,
    TimeSpan PauseBeforeScale)
{
    /// <summary>
    /// Parses <c>--pods P --nodes N --clients C --workload deployment|replicaset --scheduler-qps Q --timeout S
    /// --pause-before-scale S</c> and any number of <c>--controller-manager-arg ARG</c> (passed to the controller manager
    /// as is, e.g. <c>--controller-manager-arg=--kube-api-qps=5000</c>); false on anything else.
    /// </summary>
    public static bool TryParse(string[] args, int defaultPods, int defaultClients, out DeploymentOptions options)
    {
        options = new DeploymentOptions(defaultPods, null, defaultClients, DeploymentWorkload.Deployment, null, [], null, TimeSpan.Zero);
        var managerArguments = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var (name, text) = args[i].Split('=', 2) is [var n, var v] ? (n, v) : (args[i], i + 1 < args.Length ? args[++i] : null);
            switch (name)
            {
                case "--pods" when Positive(text) is { } pods:
                    options = options with { Pods = pods };
                    break;
                case "--nodes" when Positive(text) is { } nodes:
                    options = options with { Nodes = nodes };
                    break;
                case "--clients" when Positive(text) is { } clients:
                    options = options with { Clients = clients };
                    break;
                case "--scheduler-qps" when Positive(text) is { } qps:
                    options = options with { SchedulerQps = qps };
                    break;
                case "--timeout" when Positive(text) is { } seconds:
                    options = options with { Timeout = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--pause-before-scale" when Positive(text) is { } seconds:
                    options = options with { PauseBeforeScale = TimeSpan.FromSeconds(seconds) };
                    break;
                case "--workload" when text is not null && DeploymentWorkload.Parse(text) is { } workload:
                    options = options with { Workload = workload };
                    break;
                case "--controller-manager-arg" when !string.IsNullOrEmpty(text):
                    managerArguments.Add(text);
                    break;
                default:
                    return false;
            }
        }

        options = options with { ControllerManagerArguments = managerArguments };
        return true;
    }

    private static int? Positive(string? text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
