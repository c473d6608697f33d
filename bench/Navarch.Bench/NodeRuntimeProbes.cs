namespace Navarch.Bench;

/// <summary>
/// The <c>pod-startup</c> benchmark's look under the kubelet, straight at the agent's containerd: the CRI calls of
/// one pod start, pod-network starts with lighter CNI config lists, and a burst started at most C pods at a time.
/// </summary>
internal static class NodeRuntimeProbes
{
    private const int Parallel = 5;
    private const int BurstPods = 20;

    /// <param name="agentDirectory">The agent's data directory (<c>&lt;data-dir&gt;/agent</c>).</param>
    /// <param name="image">The image the probe pods run (<c>sleep 3600</c>); it must be on the node.</param>
    /// <param name="pods">Pods per kind for the one-at-a-time probes.</param>
    public static async Task RunAsync(string agentDirectory, string image, int pods, CancellationToken ct)
    {
        var socket = Path.Combine(agentDirectory, "containerd", "containerd.sock");
        var probe = new CriProbe(socket, Path.Combine(agentDirectory, "probe-logs"), image);
        Console.WriteLine();
        Console.WriteLine("CRI calls of one pod start, straight to the agent's containerd:");
        foreach (var line in await probe.RunAsync(pods, Parallel, ct).ConfigureAwait(false))
        {
            Console.WriteLine(line);
        }

        Console.WriteLine();
        Console.WriteLine($"pod-network starts with lighter CNI configs ({pods} pods each, one at a time):");
        var cni = new CniVariantProbe(socket, Path.Combine(agentDirectory, "containerd", "cni", "net.d"), probe);
        foreach (var line in await cni.RunAsync(pods, ct).ConfigureAwait(false))
        {
            Console.WriteLine(line);
        }

        // What a bounded start queue in the kubelet would give: the same burst started at most C at a time, in order.
        Console.WriteLine();
        Console.WriteLine($"{BurstPods} pods started through the CRI as if created at once, at most C at a time (ms from the burst):");
        Console.WriteLine("| C | wall s | pods/s | first | p50 | p99 |");
        Console.WriteLine("|---|---|---|---|---|---|");
        foreach (var concurrency in (int[])[1, 2, 4, 8, BurstPods])
        {
            Console.WriteLine(await probe.RunBatchAsync(BurstPods, concurrency, ct).ConfigureAwait(false));
        }
    }
}
