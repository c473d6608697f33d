using System.Diagnostics;

namespace Navarch.E2E.Agent;

/// <summary>
/// What the agent scenarios do through stock kubectl, <c>ctr</c> and HTTP, each bounded by a deadline; a failure
/// message carries <c>kubectl describe</c> of the pod and the tails of the cluster's logs.
/// </summary>
public sealed class AgentScenario(AgentCluster cluster)
{
    /// <summary>Long enough for a pod start on a loaded machine, short enough to keep a test under a minute.</summary>
    public static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public Infrastructure.Kubectl Kubectl => cluster.Kubectl;

    /// <summary><c>kubectl create -f -</c> with <paramref name="yaml"/>; fails the test when kubectl does.</summary>
    public async Task CreateAsync(string yaml)
    {
        var result = await Kubectl.RunWithInputAsync(yaml, "create", "-f", "-");
        Assert.True(result.ExitCode == 0, result.ToString());
    }

    /// <summary><c>kubectl get &lt;target...&gt; -o jsonpath=...</c>, stdout trimmed ("" when kubectl fails).</summary>
    public async Task<string> JsonPathAsync(string jsonPath, params string[] target)
    {
        var result = await Kubectl.RunAsync([.. new[] { "get" }, .. target, "-o", "jsonpath=" + jsonPath]);
        return result.ExitCode == 0 ? result.Stdout.Trim() : "";
    }

    /// <summary>
    /// Polls <c>kubectl get &lt;target...&gt;</c>'s JSONPath until <paramref name="done"/> holds; at the deadline fails with
    /// <c>kubectl describe &lt;target...&gt;</c>.
    /// </summary>
    public async Task<string> UntilAsync(string jsonPath, string[] target, Func<string, bool> done, string what, TimeSpan? deadline = null)
    {
        var stop = DateTime.UtcNow + (deadline ?? Deadline);
        var last = "";
        while (DateTime.UtcNow < stop)
        {
            last = await JsonPathAsync(jsonPath, target);
            if (done(last))
            {
                return last;
            }

            await Task.Delay(250);
        }

        await FailAsync($"waited {(deadline ?? Deadline).TotalSeconds:0} s for {what}; {jsonPath} was '{last}'", target);
        return last;
    }

    /// <summary>Polls a pod's JSONPath until <paramref name="done"/> holds.</summary>
    public Task<string> UntilPodAsync(string pod, string jsonPath, Func<string, bool> done, string what, TimeSpan? deadline = null) =>
        UntilAsync(jsonPath, ["pod", pod], done, what, deadline);

    /// <summary>Waits for the pod's phase.</summary>
    public Task<string> UntilPhaseAsync(string pod, string phase) =>
        UntilPodAsync(pod, "{.status.phase}", p => p == phase, $"pod {pod} to be {phase}");

    /// <summary>Fails the test with <paramref name="message"/>, <c>kubectl describe &lt;target...&gt;</c> and the logs of every process.</summary>
    public async Task FailAsync(string message, params string[] target)
    {
        var describe = await Kubectl.RunAsync([.. new[] { "describe" }, .. target]);
        Assert.Fail($"{message}\n{describe.Stdout}{describe.Stderr}\n{cluster.LogTails()}");
    }

    /// <summary>Deletes without waiting, so a test's leftovers do not hold the next one up.</summary>
    public async Task DeleteAsync(string resource)
    {
        await Kubectl.RunAsync("delete", resource, "--ignore-not-found", "--wait=false");
    }

    /// <summary>GETs <paramref name="url"/> until the body satisfies <paramref name="done"/>; fails at the deadline with the last answer.</summary>
    public async Task<string> UntilHttpAsync(string url, Func<string, bool> done, string pod, string what)
    {
        var stop = DateTime.UtcNow + Deadline;
        var last = "(no answer yet)";
        while (DateTime.UtcNow < stop)
        {
            try
            {
                using var response = await cluster.Http.GetAsync(url);
                var body = await response.Content.ReadAsStringAsync();
                last = $"{(int)response.StatusCode}: {body}";
                if (response.IsSuccessStatusCode && done(body))
                {
                    return body;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                last = e.Message;
            }

            await Task.Delay(250);
        }

        await FailAsync($"GET {url} never gave {what}; last answer: {last}", "pod", pod);
        return last;
    }

    /// <summary>Runs the stock <c>ctr</c> against a node's containerd in the CRI namespace <c>k8s.io</c>.</summary>
    public static async Task<string> CtrAsync(string socket, params string[] args)
    {
        var start = new ProcessStartInfo("ctr") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-a", socket, "-n", "k8s.io" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("ctr did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await process.WaitForExitAsync(deadline.Token);
        Assert.True(process.ExitCode == 0, $"ctr {string.Join(' ', args)} failed ({process.ExitCode}): {await stderr}");
        return await stdout;
    }

    /// <summary>The IDs of the containerd containers (sandboxes included) that carry the pod's UID label.</summary>
    public static async Task<IReadOnlyList<string>> ContainerdContainersOfPodAsync(string socket, string podUid)
    {
        var output = await CtrAsync(socket, "containers", "ls", "-q", $"labels.\"io.kubernetes.pod.uid\"=={podUid}");
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>
    /// What a container printed, read from its CRI log file (<c>&lt;agent&gt;/logs/&lt;ns&gt;_&lt;pod&gt;_&lt;uid&gt;/&lt;container&gt;/&lt;restart&gt;.log</c>,
    /// lines <c>&lt;time&gt; stdout F &lt;text&gt;</c>): what <c>crictl logs</c> would show, independent of the kubelet API.
    /// </summary>
    public async Task<IReadOnlyList<string>> ContainerOutputAsync(string pod, string container, string? joinedNode = null, int restartCount = 0)
    {
        var uid = await JsonPathAsync("{.metadata.uid}", "pod", pod);
        var path = Path.Combine(cluster.AgentDir(joinedNode), "logs", $"default_{pod}_{uid}", container, $"{restartCount}.log");
        if (!File.Exists(path))
        {
            await FailAsync($"no container log at {path}", "pod", pod);
        }

        var lines = await File.ReadAllLinesAsync(path);
        return lines.Select(line => line.Split(' ', 4)).Where(parts => parts.Length == 4).Select(parts => parts[3]).ToArray();
    }
}
