using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Navarch.Kubelet.Cri;

namespace Navarch.Bench;

/// <summary>
/// Rewrites the agent's CNI config list (in the benchmark's own temporary data dir) into lighter variants — the
/// bridge without <c>ipMasq</c> (which adds a NAT chain per pod), and also without <c>portmap</c> — waits until
/// containerd has loaded each (its verbose CRI status shows the config it uses), and times pod starts with it through
/// <see cref="CriProbe"/>. The config as written is put back before returning, so later deletions tear down with the
/// config the pods were set up with.
/// </summary>
internal sealed class CniVariantProbe(string socketPath, string confDirectory, CriProbe probe)
{
    private static readonly TimeSpan ReloadTimeout = TimeSpan.FromSeconds(20);
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Returns markdown rows: variant, then RunPodSandbox and pod total p50 / max over <paramref name="pods"/> pods.</summary>
    public async Task<IReadOnlyList<string>> RunAsync(int pods, CancellationToken ct)
    {
        var path = Directory.EnumerateFiles(confDirectory, "*.conflist").Order(StringComparer.Ordinal).FirstOrDefault()
            ?? throw new InvalidOperationException($"no CNI config list in {confDirectory}");
        var original = await File.ReadAllTextAsync(path, ct).ConfigureAwait(false);
        using var cri = new CriClient(socketPath);
        var rows = new List<string> { "| CNI config | RunPodSandbox p50 / max ms | pod total p50 / max ms |", "|---|---|---|" };
        try
        {
            foreach (var (label, transform) in Variants())
            {
                var config = JsonNode.Parse(original) ?? throw new InvalidOperationException($"{path} is empty");
                transform(config);
                // A distinct name makes the reload observable: containerd reports the loaded list with its name.
                var name = $"{config["name"]?.GetValue<string>()}-{label.Replace(' ', '-').Replace(",", "", StringComparison.Ordinal)}";
                config["name"] = name;
                await WriteAndWaitAsync(cri, path, config.ToJsonString(Indented), name, ct).ConfigureAwait(false);
                var (sandbox, total) = await probe.RunPodNetworkAsync(pods, ct).ConfigureAwait(false);
                rows.Add($"| {label} | {sandbox} | {total} |");
            }
        }
        finally
        {
            var originalName = JsonNode.Parse(original)?["name"]?.GetValue<string>() ?? "";
            await WriteAndWaitAsync(cri, path, original, originalName, CancellationToken.None).ConfigureAwait(false);
        }

        return rows;
    }

    private static IEnumerable<(string Label, Action<JsonNode> Transform)> Variants()
    {
        yield return ("as written", _ => { });
        yield return ("bridge ipMasq false", config => Bridge(config)["ipMasq"] = false);
        yield return ("bridge ipMasq false, no portmap", config =>
        {
            Bridge(config)["ipMasq"] = false;
            // Bridge() above found the plugins array.
            var plugins = config["plugins"]!.AsArray();
            foreach (var plugin in plugins.Where(p => p?["type"]?.GetValue<string>() == "portmap").ToList())
            {
                plugins.Remove(plugin);
            }
        });
    }

    private static JsonNode Bridge(JsonNode config) =>
        config["plugins"]?.AsArray().FirstOrDefault(p => p?["type"]?.GetValue<string>() == "bridge")
            ?? throw new InvalidOperationException("the CNI config list has no bridge plugin");

    /// <summary>Replaces the file atomically and polls containerd's verbose status until it reports the list by name.</summary>
    private static async Task WriteAndWaitAsync(CriClient cri, string path, string content, string name, CancellationToken ct)
    {
        var temporary = Path.Combine(Path.GetDirectoryName(path) ?? ".", ".bench-" + Guid.NewGuid().ToString("N") + ".tmp");
        await File.WriteAllTextAsync(temporary, content, ct).ConfigureAwait(false);
        File.Move(temporary, path, overwrite: true);
        var deadline = Stopwatch.GetTimestamp() + (long)(ReloadTimeout.TotalSeconds * Stopwatch.Frequency);
        var expected = $"\"Name\":\"{name}\"";
        while (true)
        {
            var status = await cri.StatusAsync(verbose: true, ct).ConfigureAwait(false);
            if (status.Info.TryGetValue("cniconfig", out var loaded) && loaded.Replace(" ", "", StringComparison.Ordinal).Contains(expected, StringComparison.Ordinal))
            {
                return;
            }

            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"containerd did not load CNI config {name} within {ReloadTimeout.TotalSeconds:F0} s"));
            }

            await Task.Delay(100, ct).ConfigureAwait(false);
        }
    }
}
