using System.Globalization;
using k8s.Models;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// The Docker-links-style variables the kubelet gives every container for the services it may see (envvars.FromServices):
/// <c>{NAME}_SERVICE_HOST</c>, <c>{NAME}_SERVICE_PORT[_{PORT}]</c> and <c>{NAME}_PORT[_{n}_{PROTO}[_PROTO|_PORT|_ADDR]]</c>.
/// </summary>
internal static class ServiceEnvironment
{
    public static List<KeyValuePair<string, string>> FromServices(IEnumerable<V1Service> services)
    {
        var result = new List<KeyValuePair<string, string>>();
        foreach (var service in services)
        {
            var ip = service.Spec?.ClusterIP;
            var ports = service.Spec?.Ports;
            // As IsServiceIPSet: headless and IP-less services get no variables.
            if (string.IsNullOrEmpty(ip) || ip == "None" || ports is not { Count: > 0 })
            {
                continue;
            }

            var prefix = VariableName(service.Metadata.Name);
            result.Add(new(prefix + "_SERVICE_HOST", ip));
            result.Add(new(prefix + "_SERVICE_PORT", Number(ports[0].Port)));
            foreach (var port in ports)
            {
                if (!string.IsNullOrEmpty(port.Name))
                {
                    result.Add(new(prefix + "_SERVICE_PORT_" + VariableName(port.Name), Number(port.Port)));
                }
            }

            for (var i = 0; i < ports.Count; i++)
            {
                var port = ports[i];
                var protocol = string.IsNullOrEmpty(port.Protocol) ? "TCP" : port.Protocol;
                var lower = protocol.ToLowerInvariant();
                var hostPort = (ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : ip) + ":" + Number(port.Port);
                if (i == 0)
                {
                    result.Add(new(prefix + "_PORT", $"{lower}://{hostPort}"));
                }

                var portPrefix = $"{prefix}_PORT_{Number(port.Port)}_{protocol.ToUpperInvariant()}";
                result.Add(new(portPrefix, $"{lower}://{hostPort}"));
                result.Add(new(portPrefix + "_PROTO", lower));
                result.Add(new(portPrefix + "_PORT", Number(port.Port)));
                result.Add(new(portPrefix + "_ADDR", ip));
            }
        }

        return result;
    }

    private static string VariableName(string name) => name.Replace('-', '_').ToUpperInvariant();

    private static string Number(int value) => value.ToString(CultureInfo.InvariantCulture);
}
