// The kubelet runs on Linux only; file modes are Unix calls.
#pragma warning disable CA1416
using System.Text;
using k8s.Models;

namespace Navarch.Kubelet.Volumes;

/// <summary>
/// The kubelet-managed <c>/etc/hosts</c> of a pod (the kubelet's ensureHostsFile): for a pod on the pod network the
/// localhost entries and the pod's own IP and hostname; for a host-network pod the node's file; then spec.hostAliases.
/// Written to <c>&lt;pod-dir&gt;/etc-hosts</c> and mounted into every container.
/// </summary>
internal static class HostsFile
{
    public const string ContainerPath = "/etc/hosts";
    public const string FileName = "etc-hosts";

    /// <summary>Writes the pod's hosts file when its content changed and returns its path; null when it cannot be made yet.</summary>
    public static string? Ensure(string podDirectory, V1Pod pod, string? podIP, string nodeHostsPath = "/etc/hosts")
    {
        string content;
        if (pod.Spec?.HostNetwork == true)
        {
            var node = File.Exists(nodeHostsPath) ? File.ReadAllText(nodeHostsPath) : string.Empty;
            content = "# Kubernetes-managed hosts file (host network).\n" + node + Aliases(pod);
        }
        else
        {
            if (string.IsNullOrEmpty(podIP))
            {
                return null;
            }

            content = Managed(pod, podIP) + Aliases(pod);
        }

        Directory.CreateDirectory(podDirectory);
        var path = Path.Combine(podDirectory, FileName);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().SequenceEqual(bytes))
        {
            return path;
        }

        // Written beside and renamed, so a container reading it never sees half a file.
        var temporary = path + ".tmp";
        File.WriteAllBytes(temporary, bytes);
        File.SetUnixFileMode(temporary, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.Move(temporary, path, overwrite: true);
        return path;
    }

    private static string Managed(V1Pod pod, string podIP)
    {
        var builder = new StringBuilder()
            .Append("# Kubernetes-managed hosts file.\n")
            .Append("127.0.0.1\tlocalhost\n")
            .Append("::1\tlocalhost ip6-localhost ip6-loopback\n")
            .Append("fe00::0\tip6-localnet\n")
            .Append("fe00::0\tip6-mcastprefix\n")
            .Append("fe00::1\tip6-allnodes\n")
            .Append("fe00::2\tip6-allrouters\n");
        var hostname = string.IsNullOrEmpty(pod.Spec?.Hostname) ? pod.Metadata.Name : pod.Spec.Hostname;
        if (hostname.Length > 63)
        {
            hostname = hostname[..63].TrimEnd('-', '.');
        }

        builder.Append(podIP).Append('\t');
        if (!string.IsNullOrEmpty(pod.Spec?.Subdomain))
        {
            var ns = string.IsNullOrEmpty(pod.Metadata.NamespaceProperty) ? "default" : pod.Metadata.NamespaceProperty;
            builder.Append(hostname).Append('.').Append(pod.Spec.Subdomain).Append('.').Append(ns).Append(".svc.cluster.local\t");
        }

        return builder.Append(hostname).Append('\n').ToString();
    }

    private static string Aliases(V1Pod pod)
    {
        if (pod.Spec?.HostAliases is not { Count: > 0 } aliases)
        {
            return string.Empty;
        }

        var builder = new StringBuilder("\n# Entries added by HostAliases.\n");
        foreach (var alias in aliases)
        {
            builder.Append(alias.Ip).Append('\t').AppendJoin('\t', alias.Hostnames ?? []).Append('\n');
        }

        return builder.ToString();
    }
}
