using System.Globalization;
using System.Text;

namespace Navarch.Kubelet.Containerd;

/// <summary>Renders containerd's <c>config.toml</c> (config version 2, which containerd 1.5 and later read, 1.6 included).</summary>
internal static class ContainerdConfig
{
    public static string Render(ContainerdOptions options, string snapshotter, bool restrictOomScoreAdj)
    {
        var cri = "plugins.\"io.containerd.grpc.v1.cri\"";
        var builder = new StringBuilder();
        builder.AppendLine("version = 2");
        builder.AppendLine(Key("root", options.RootDirectory));
        builder.AppendLine(Key("state", options.StateDirectory));
        // Snapshotters that cannot work here only log errors at every start.
        builder.AppendLine("disabled_plugins = [\"io.containerd.snapshotter.v1.aufs\", \"io.containerd.snapshotter.v1.btrfs\", \"io.containerd.snapshotter.v1.devmapper\", \"io.containerd.snapshotter.v1.zfs\"]");
        builder.AppendLine();
        builder.AppendLine("[grpc]");
        builder.AppendLine(Key("  address", options.SocketPath));
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"[{cri}]");
        builder.AppendLine(Key("  sandbox_image", options.SandboxImage));
        // Network namespaces under our state directory rather than /var/run/netns, so several nodes can share a host.
        builder.AppendLine("  netns_mounts_under_state_dir = true");
        builder.AppendLine("  disable_tcp_service = true");
        // The CRI streaming server (exec, attach, port-forward URLs) only for the kubelet on this host, on a free port;
        // the kubelet's own API is what the API server reaches.
        builder.AppendLine("  stream_server_address = \"127.0.0.1\"");
        builder.AppendLine("  stream_server_port = \"0\"");
        builder.AppendLine(restrictOomScoreAdj ? "  restrict_oom_score_adj = true" : "  restrict_oom_score_adj = false");
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"[{cri}.containerd]");
        builder.AppendLine(Key("  snapshotter", snapshotter));
        builder.AppendLine("  default_runtime_name = \"runc\"");
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"[{cri}.containerd.runtimes.runc]");
        builder.AppendLine("  runtime_type = \"io.containerd.runc.v2\"");
        builder.AppendLine();
        // runc's own state (otherwise /run/containerd/runc) also goes under our state directory.
        builder.AppendLine(CultureInfo.InvariantCulture, $"[{cri}.containerd.runtimes.runc.options]");
        builder.AppendLine(Key("  Root", Path.Combine(options.StateDirectory, "runc")));
        builder.AppendLine();
        builder.AppendLine(CultureInfo.InvariantCulture, $"[{cri}.cni]");
        builder.AppendLine(Key("  bin_dir", options.CniBinDirectory));
        builder.AppendLine(Key("  conf_dir", options.CniConfDirectory));
        return builder.ToString();
    }

    private static string Key(string key, string value) => $"{key} = {Quote(value)}";

    /// <summary>A TOML basic string.</summary>
    internal static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2);
        builder.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\t': builder.Append("\\t"); break;
                case '\r': builder.Append("\\r"); break;
                default:
                    if (char.IsControl(c))
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
        return builder.ToString();
    }
}
