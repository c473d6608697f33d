using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Navarch.Kubelet.Node;

/// <summary>
/// Writes the pod network's CNI configuration once the Node has a pod CIDR: a <c>bridge</c> with <c>host-local</c>
/// IPAM over the CIDR, and <c>portmap</c> for hostPorts, from Debian's containernetworking-plugins (1.1.1 supports
/// CNI spec 1.0.0). No loopback entry: containerd's CRI plugin sets up <c>lo</c> in every sandbox itself.
/// </summary>
public sealed class CniConfigWriter
{
    public const string FileName = "10-navarch.conflist";
    public const string CniVersion = "1.0.0";
    public const string NetworkName = "navarch";
    public const string BridgeName = "cni0";

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private readonly string _ipamDataDirectory;
    private readonly ILogger _logger;

    /// <param name="confDirectory">containerd's CNI <c>conf_dir</c>.</param>
    /// <param name="ipamDataDirectory">Where <c>host-local</c> keeps its allocations (under the agent dir, not /var/lib/cni).</param>
    public CniConfigWriter(string confDirectory, string ipamDataDirectory, ILogger<CniConfigWriter>? logger = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(confDirectory);
        ArgumentException.ThrowIfNullOrEmpty(ipamDataDirectory);
        ConfDirectory = confDirectory;
        _ipamDataDirectory = ipamDataDirectory;
        _logger = logger ?? NullLogger<CniConfigWriter>.Instance;
    }

    public string ConfDirectory { get; }

    public string ConfigPath => Path.Combine(ConfDirectory, FileName);

    /// <summary>
    /// Polls the Node every <paramref name="pollInterval"/> until it has <c>spec.podCIDR</c>, writes the configuration and
    /// returns the CIDR. A pod CIDR, once set, never changes (the API server forbids it), so one write is enough.
    /// </summary>
    public async Task<string> RunAsync(
        IKubernetes client, string nodeName, TimeSpan pollInterval, TimeProvider time, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentException.ThrowIfNullOrEmpty(nodeName);
        ArgumentNullException.ThrowIfNull(time);
        while (true)
        {
            try
            {
                var node = await client.CoreV1.ReadNodeAsync(nodeName, cancellationToken: cancellationToken).ConfigureAwait(false);
                if (node.Spec?.PodCIDR is { Length: > 0 } podCidr)
                {
                    await WriteAsync(podCidr, cancellationToken).ConfigureAwait(false);
                    return podCidr;
                }
            }
            catch (HttpOperationException e) when (e.Response.StatusCode == HttpStatusCode.NotFound)
            {
                // Not registered yet.
            }
            catch (Exception e) when (e is HttpOperationException or HttpRequestException)
            {
                NodeLog.PodCidrReadFailed(_logger, nodeName, e);
            }

            await Task.Delay(pollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Writes the configuration for <paramref name="podCidr"/> atomically; false if the same content is already there.</summary>
    public async Task<bool> WriteAsync(string podCidr, CancellationToken cancellationToken)
    {
        var content = Render(podCidr, _ipamDataDirectory);
        try
        {
            if (await File.ReadAllTextAsync(ConfigPath, cancellationToken).ConfigureAwait(false) == content)
            {
                return false;
            }
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
        }

        Directory.CreateDirectory(ConfDirectory);

        // containerd watches the directory and may read at any moment: it must see the old file or the new, never half of one.
        // The temporary name does not end in .conf/.conflist, so libcni never loads it.
        var temporary = Path.Combine(ConfDirectory, "." + FileName + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            await File.WriteAllTextAsync(temporary, content, cancellationToken).ConfigureAwait(false);
            File.Move(temporary, ConfigPath, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }

        NodeLog.CniConfigWritten(_logger, ConfigPath, podCidr);
        return true;
    }

    /// <summary>The conflist for a pod CIDR.</summary>
    public static string Render(string podCidr, string ipamDataDirectory)
    {
        if (!IPNetwork.TryParse(podCidr, out _))
        {
            throw new ArgumentException($"Pod CIDR '{podCidr}' is not a valid CIDR.", nameof(podCidr));
        }

        var config = new JsonObject
        {
            ["cniVersion"] = CniVersion,
            ["name"] = NetworkName,
            ["plugins"] = new JsonArray
            {
                new JsonObject
                {
                    ["type"] = "bridge",
                    ["bridge"] = BridgeName,
                    ["isGateway"] = true,
                    ["ipMasq"] = true,
                    ["hairpinMode"] = true,
                    ["ipam"] = new JsonObject
                    {
                        ["type"] = "host-local",
                        ["ranges"] = new JsonArray { new JsonArray { new JsonObject { ["subnet"] = podCidr } } },
                        ["routes"] = new JsonArray { new JsonObject { ["dst"] = "0.0.0.0/0" } },
                        ["dataDir"] = ipamDataDirectory,
                    },
                },
                new JsonObject
                {
                    ["type"] = "portmap",
                    ["capabilities"] = new JsonObject { ["portMappings"] = true },
                    ["snat"] = true,
                },
            },
        };
        return config.ToJsonString(Indented) + "\n";
    }
}
