namespace Navarch.Controllers.Framework;

/// <summary>
/// kube-controller-manager's settings that the controllers read, with its defaults (and k3s' for the cluster
/// CIDR). Workers per controller follow the <c>--concurrent-*-syncs</c> flags.
/// </summary>
public sealed record ControllerManagerOptions
{
    /// <summary>Pod network of the cluster; each node gets a /<see cref="NodeCidrMaskSize"/> from it.</summary>
    public string ClusterCidr { get; init; } = "10.42.0.0/16";

    public int NodeCidrMaskSize { get; init; } = 24;

    /// <summary>How long a node may go without renewing its Lease before it is marked Ready=Unknown (--node-monitor-grace-period).</summary>
    public TimeSpan NodeMonitorGracePeriod { get; init; } = TimeSpan.FromSeconds(40);

    /// <summary>How often node health is checked (--node-monitor-period).</summary>
    public TimeSpan NodeMonitorPeriod { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Terminated pods kept before PodGC deletes the oldest (--terminated-pod-gc-threshold).</summary>
    public int TerminatedPodGcThreshold { get; init; } = 12500;

    /// <summary>Workers per controller, as --concurrent-replicaset-syncs (5), --concurrent-deployment-syncs (5), ...</summary>
    public int Workers { get; init; } = 5;

    /// <summary>Workers of the garbage collector (--concurrent-gc-syncs).</summary>
    public int GarbageCollectorWorkers { get; init; } = 20;

    /// <summary>The service-account token issuer the API server checks (--service-account-issuer).</summary>
    public string ServiceAccountIssuer { get; init; } = "https://kubernetes.default.svc.cluster.local";

    /// <summary>
    /// PEM file of the cluster CA that root-ca-cert-publisher puts in every namespace (--root-ca-file); read when the
    /// controller starts. Takes precedence over <see cref="RootCaData"/>.
    /// </summary>
    public string? RootCaFile { get; init; }

    /// <summary>The cluster CA as PEM, as kube-controller-manager takes it from its kubeconfig when --root-ca-file is not given.</summary>
    public string? RootCaData { get; init; }

    /// <summary>Controllers to run: "*" for all, a name to add, "-name" to leave one out (--controllers).</summary>
    public IReadOnlyList<string> Controllers { get; init; } = ["*"];

    /// <summary>True when <paramref name="name"/> is enabled by <see cref="Controllers"/>, as kube-controller-manager decides.</summary>
    public bool IsEnabled(string name)
    {
        var enabled = false;
        foreach (var entry in Controllers)
        {
            if (entry == "-" + name) return false;
            if (entry == name || entry == "*") enabled = true;
        }

        return enabled;
    }
}
