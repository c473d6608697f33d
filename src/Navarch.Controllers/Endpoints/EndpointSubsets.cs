using System.Text;
using k8s.Models;

namespace Navarch.Controllers.Endpoints;

/// <summary>
/// Builds the subsets of an Endpoints object as Kubernetes' endpoints.RepackSubsets: one (address, ports) pair
/// per pod, regrouped so that ports sharing exactly the same addresses form one subset, sorted for stable output.
/// </summary>
internal static class EndpointSubsets
{
    /// <summary>The most addresses an Endpoints object holds (maxCapacity); more are cut, with an annotation.</summary>
    public const int MaxCapacity = 1000;

    public const string OverCapacityAnnotation = "endpoints.kubernetes.io/over-capacity";

    /// <summary>One pod's address, whether ready, and its resolved ports (empty for a port-less headless service).</summary>
    public sealed record Entry(V1EndpointAddress Address, bool Ready, IReadOnlyList<Corev1EndpointPort> Ports);

    public static List<V1EndpointSubset> Repack(IReadOnlyList<Entry> entries)
    {
        // port key -> (address key -> address, ready); a ready sighting wins over a not-ready one.
        var byPort = new Dictionary<string, (Corev1EndpointPort? Port, Dictionary<string, (V1EndpointAddress Address, bool Ready)> Addresses)>(StringComparer.Ordinal);
        foreach (var entry in entries)
        {
            var addressKey = entry.Address.Ip + "/" + entry.Address.TargetRef?.Uid;
            if (entry.Ports.Count == 0)
            {
                Add(byPort, "", null, addressKey, entry);
                continue;
            }

            foreach (var port in entry.Ports)
            {
                Add(byPort, PortKey(port), port, addressKey, entry);
            }
        }

        // Ports with identical address sets share a subset.
        var groups = new Dictionary<string, (List<Corev1EndpointPort> Ports, Dictionary<string, (V1EndpointAddress Address, bool Ready)> Addresses)>(StringComparer.Ordinal);
        foreach (var (_, (port, addresses)) in byPort)
        {
            var signature = Signature(addresses);
            if (!groups.TryGetValue(signature, out var group))
            {
                group = ([], addresses);
                groups[signature] = group;
            }

            if (port is not null) group.Ports.Add(port);
        }

        var subsets = new List<V1EndpointSubset>(groups.Count);
        foreach (var (_, (ports, addresses)) in groups)
        {
            var ready = new List<V1EndpointAddress>();
            var notReady = new List<V1EndpointAddress>();
            foreach (var (address, isReady) in addresses.Values)
            {
                (isReady ? ready : notReady).Add(address);
            }

            ready.Sort(CompareAddresses);
            notReady.Sort(CompareAddresses);
            ports.Sort(ComparePorts);
            subsets.Add(new V1EndpointSubset
            {
                Addresses = ready.Count > 0 ? ready : null,
                NotReadyAddresses = notReady.Count > 0 ? notReady : null,
                Ports = ports.Count > 0 ? ports : null,
            });
        }

        subsets.Sort((a, b) => string.CompareOrdinal(SubsetKey(a), SubsetKey(b)));
        return subsets;
    }

    /// <summary>
    /// Cuts the subsets to <paramref name="max"/> addresses, ready ones first, as the controller does for objects
    /// over capacity; true when something was cut.
    /// </summary>
    public static bool Truncate(List<V1EndpointSubset> subsets, int max)
    {
        var total = 0;
        foreach (var subset in subsets)
        {
            total += (subset.Addresses?.Count ?? 0) + (subset.NotReadyAddresses?.Count ?? 0);
        }

        if (total <= max) return false;
        var budget = max;
        foreach (var subset in subsets)
        {
            subset.Addresses = Keep(subset.Addresses, ref budget);
        }

        foreach (var subset in subsets)
        {
            subset.NotReadyAddresses = Keep(subset.NotReadyAddresses, ref budget);
        }

        subsets.RemoveAll(s => s.Addresses is null && s.NotReadyAddresses is null);
        return true;
    }

    private static List<V1EndpointAddress>? Keep(IList<V1EndpointAddress>? addresses, ref int budget)
    {
        if (addresses is null || budget <= 0) return null;
        var kept = new List<V1EndpointAddress>(Math.Min(addresses.Count, budget));
        for (var i = 0; i < addresses.Count && budget > 0; i++, budget--)
        {
            kept.Add(addresses[i]);
        }

        return kept;
    }

    private static void Add(
        Dictionary<string, (Corev1EndpointPort? Port, Dictionary<string, (V1EndpointAddress Address, bool Ready)> Addresses)> byPort,
        string portKey,
        Corev1EndpointPort? port,
        string addressKey,
        Entry entry)
    {
        if (!byPort.TryGetValue(portKey, out var slot))
        {
            slot = (port, new Dictionary<string, (V1EndpointAddress, bool)>(StringComparer.Ordinal));
            byPort[portKey] = slot;
        }

        if (!slot.Addresses.TryGetValue(addressKey, out var existing) || (!existing.Ready && entry.Ready))
        {
            slot.Addresses[addressKey] = (entry.Address, entry.Ready);
        }
    }

    private static string Signature(Dictionary<string, (V1EndpointAddress Address, bool Ready)> addresses)
    {
        var keys = new List<string>(addresses.Count);
        foreach (var (key, (_, ready)) in addresses)
        {
            keys.Add((ready ? "+" : "-") + key);
        }

        keys.Sort(StringComparer.Ordinal);
        return string.Join(',', keys);
    }

    private static int ComparePorts(Corev1EndpointPort a, Corev1EndpointPort b)
    {
        var byName = string.CompareOrdinal(a.Name, b.Name);
        if (byName != 0) return byName;
        var byPort = a.Port.CompareTo(b.Port);
        return byPort != 0 ? byPort : string.CompareOrdinal(a.Protocol, b.Protocol);
    }

    private static string PortKey(Corev1EndpointPort port) => $"{port.Name}|{port.Port}|{port.Protocol}|{port.AppProtocol}";

    private static string SubsetKey(V1EndpointSubset subset)
    {
        var builder = new StringBuilder();
        foreach (var port in subset.Ports ?? []) builder.Append(PortKey(port)).Append(';');
        builder.Append('#').Append(subset.Addresses?.FirstOrDefault()?.Ip ?? subset.NotReadyAddresses?.FirstOrDefault()?.Ip);
        return builder.ToString();
    }

    private static int CompareAddresses(V1EndpointAddress a, V1EndpointAddress b)
    {
        var byIp = CompareIps(a.Ip, b.Ip);
        return byIp != 0 ? byIp : string.CompareOrdinal(a.TargetRef?.Uid, b.TargetRef?.Uid);
    }

    private static int CompareIps(string? a, string? b)
    {
        if (System.Net.IPAddress.TryParse(a, out var x) && System.Net.IPAddress.TryParse(b, out var y))
        {
            var left = x.GetAddressBytes();
            var right = y.GetAddressBytes();
            if (left.Length != right.Length) return left.Length.CompareTo(right.Length);
            return left.AsSpan().SequenceCompareTo(right);
        }

        return string.CompareOrdinal(a, b);
    }
}
