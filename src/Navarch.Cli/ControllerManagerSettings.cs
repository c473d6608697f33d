using System.Globalization;
using System.Net;
using Navarch.Api;
using Navarch.Client;
using Navarch.Client.Serving;
using Navarch.Controllers.Framework;
using Navarch.Controllers.Hosting;

namespace Navarch.Cli;

/// <summary>
/// kube-controller-manager's flags that Navarch accepts, from <c>navarch controller-manager</c> or from
/// <c>navarch server --kube-controller-manager-arg key=value</c>, turned into host options.
/// </summary>
internal sealed class ControllerManagerSettings
{
    public int SecurePort { get; set; } = ControllerManagerHostOptions.DefaultSecurePort;

    public string BindAddress { get; set; } = "127.0.0.1";

    public bool LeaderElect { get; set; } = true;

    public float Qps { get; set; } = ControllerManagerHostOptions.DefaultRateLimit.Qps;

    public int Burst { get; set; } = ControllerManagerHostOptions.DefaultRateLimit.Burst;

    public string ClusterCidr { get; set; } = new ControllerManagerOptions().ClusterCidr;

    public int NodeCidrMaskSize { get; set; } = new ControllerManagerOptions().NodeCidrMaskSize;

    public string Controllers { get; set; } = "*";

    public int TerminatedPodGcThreshold { get; set; } = new ControllerManagerOptions().TerminatedPodGcThreshold;

    public TimeSpan NodeMonitorGracePeriod { get; set; } = new ControllerManagerOptions().NodeMonitorGracePeriod;

    /// <summary>The cluster CA file root-ca-cert-publisher publishes (--root-ca-file).</summary>
    public string? RootCaFile { get; set; }

    /// <summary>The cluster CA as PEM when no file names it (taken from the kubeconfig, as kube-controller-manager does).</summary>
    public string? RootCaData { get; set; }

    /// <summary>Applies one <c>key=value</c> of <c>--kube-controller-manager-arg</c>; throws ArgumentException on an unknown key or bad value.</summary>
    public void Apply(string argument)
    {
        var separator = argument.IndexOf('=', StringComparison.Ordinal);
        if (separator <= 0)
        {
            throw new ArgumentException($"--kube-controller-manager-arg {argument}: expected key=value");
        }

        var key = argument[..separator].TrimStart('-');
        var value = argument[(separator + 1)..];
        switch (key)
        {
            case "secure-port": SecurePort = ParseInt(key, value); break;
            case "bind-address": BindAddress = value; break;
            case "leader-elect": LeaderElect = bool.TryParse(value, out var b) ? b : throw Bad(key, value); break;
            case "kube-api-qps": Qps = float.TryParse(value, CultureInfo.InvariantCulture, out var q) ? q : throw Bad(key, value); break;
            case "kube-api-burst": Burst = ParseInt(key, value); break;
            case "cluster-cidr": ClusterCidr = value; break;
            case "node-cidr-mask-size": NodeCidrMaskSize = ParseInt(key, value); break;
            case "controllers": Controllers = value; break;
            case "terminated-pod-gc-threshold": TerminatedPodGcThreshold = ParseInt(key, value); break;
            case "node-monitor-grace-period": NodeMonitorGracePeriod = ParseDuration(key, value); break;
            case "root-ca-file": RootCaFile = value.Length == 0 ? throw Bad(key, value) : Path.GetFullPath(value); break;
            default:
                throw new ArgumentException($"--kube-controller-manager-arg {argument}: unknown flag {key} (known: secure-port, bind-address, leader-elect, " +
                    "kube-api-qps, kube-api-burst, cluster-cidr, node-cidr-mask-size, controllers, terminated-pod-gc-threshold, node-monitor-grace-period, root-ca-file)");
        }
    }

    public ControllerManagerHostOptions Build()
    {
        if (!IPAddress.TryParse(BindAddress, out var address))
        {
            throw new ArgumentException($"--bind-address {BindAddress} is not an IP address");
        }

        if (Qps <= 0 || Burst <= 0)
        {
            throw new ArgumentException("--kube-api-qps and --kube-api-burst must be positive");
        }

        if (!TryParseCidr(ClusterCidr, out var prefix) || NodeCidrMaskSize < prefix || NodeCidrMaskSize > 30)
        {
            throw new ArgumentException($"--cluster-cidr {ClusterCidr} with --node-cidr-mask-size {NodeCidrMaskSize}: expected an IPv4 CIDR whose prefix is at most the mask size (<= 30)");
        }

        var serving = new ComponentServerOptions { SecurePort = SecurePort, BindAddress = address };
        serving.Validate();
        return new ControllerManagerHostOptions
        {
            Serving = serving,
            LeaderElect = LeaderElect,
            RateLimit = new ClientRateLimit(Qps, Burst),
            Controllers = new ControllerManagerOptions
            {
                ClusterCidr = ClusterCidr,
                NodeCidrMaskSize = NodeCidrMaskSize,
                Controllers = Controllers.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                TerminatedPodGcThreshold = TerminatedPodGcThreshold,
                NodeMonitorGracePeriod = NodeMonitorGracePeriod,
                RootCaFile = RootCaFile,
                RootCaData = RootCaData,
            },
        };
    }

    private static bool TryParseCidr(string cidr, out int prefix)
    {
        prefix = 0;
        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        return slash > 0
            && IPAddress.TryParse(cidr[..slash], out var ip)
            && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            && int.TryParse(cidr[(slash + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out prefix)
            && prefix is >= 0 and <= 32;
    }

    private static int ParseInt(string key, string value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw Bad(key, value);

    private static TimeSpan ParseDuration(string key, string value) =>
        GoDuration.TryParse(value, out var duration) && duration > TimeSpan.Zero ? duration : throw Bad(key, value);

    private static ArgumentException Bad(string key, string value) => new($"--{key} {value}: not a valid value");
}
