using k8s.Models;
using Navarch.Kubelet.Cri.V1;

namespace Navarch.Kubelet.Pods;

/// <summary>
/// The pod's resolver config, as the kubelet's dns Configurer builds it: <c>dnsPolicy: None</c> uses spec.dnsConfig alone;
/// the other policies start from the node's resolv.conf (there is no cluster DNS service to point ClusterFirst at yet, and
/// the kubelet falls back to the node's config then) and merge spec.dnsConfig in — nameservers and searches appended
/// without repeats, options replaced by name. Null when nothing differs from the node's file, which the runtime copies itself.
/// </summary>
internal static class PodDns
{
    private const int MaxNameservers = 3;
    private const int MaxSearches = 32;

    public static DNSConfig? Build(V1Pod pod, string resolvConfPath)
    {
        var policy = pod.Spec?.DnsPolicy;
        var podConfig = pod.Spec?.DnsConfig;
        if (policy != "None" && podConfig is null)
        {
            return null;
        }

        var servers = new List<string>();
        var searches = new List<string>();
        var options = new List<string>();
        if (policy != "None" && File.Exists(resolvConfPath))
        {
            foreach (var line in File.ReadLines(resolvConfPath))
            {
                var fields = line.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 2 || fields[0].StartsWith('#') || fields[0].StartsWith(';'))
                {
                    continue;
                }

                switch (fields[0])
                {
                    case "nameserver":
                        servers.Add(fields[1]);
                        break;
                    case "search" or "domain":
                        searches.Clear();
                        searches.AddRange(fields[1..]);
                        break;
                    case "options":
                        options.AddRange(fields[1..]);
                        break;
                }
            }
        }

        AddNew(servers, podConfig?.Nameservers);
        AddNew(searches, podConfig?.Searches);
        foreach (var option in podConfig?.Options ?? [])
        {
            options.RemoveAll(existing => existing.Split(':')[0] == option.Name);
            options.Add(string.IsNullOrEmpty(option.Value) ? option.Name : $"{option.Name}:{option.Value}");
        }

        var config = new DNSConfig();
        config.Servers.AddRange(servers.Take(MaxNameservers));
        config.Searches.AddRange(searches.Take(MaxSearches));
        config.Options.AddRange(options);
        return config;
    }

    private static void AddNew(List<string> target, IList<string>? values)
    {
        foreach (var value in values ?? [])
        {
            if (!target.Contains(value))
            {
                target.Add(value);
            }
        }
    }
}
