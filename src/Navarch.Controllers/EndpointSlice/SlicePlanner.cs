using System.Text;
using k8s;
using k8s.Models;

namespace Navarch.Controllers.EndpointSlice;

/// <summary>
/// Decides slice writes for one service, as upstream's reconciler does in spirit: endpoints stay in the slice
/// that holds them (updated in place when they change), gone ones are removed, slices left empty are deleted, and
/// new endpoints fill slices already being updated, then an unchanged slice they fit in whole, and only then new
/// slices of at most <c>maxEndpointsPerSlice</c>. A service without endpoints keeps one empty placeholder slice.
/// </summary>
internal static class SlicePlanner
{
    public static SlicePlan Plan(
        IReadOnlyList<V1EndpointSlice> existing,
        IReadOnlyList<DesiredGroup> desired,
        Func<string, IList<Discoveryv1EndpointPort>?, V1EndpointSlice> newSlice,
        IDictionary<string, string> labels,
        int maxPerSlice)
    {
        var plan = new SlicePlan([], [], []);
        var groups = new Dictionary<string, DesiredGroup>(StringComparer.Ordinal);
        foreach (var group in desired) groups[GroupKey(group.AddressType, group.Ports)] = group;
        var existingByGroup = new Dictionary<string, List<V1EndpointSlice>>(StringComparer.Ordinal);
        foreach (var slice in existing)
        {
            var key = GroupKey(slice.AddressType, slice.Ports);
            if (!existingByGroup.TryGetValue(key, out var list)) existingByGroup[key] = list = [];
            list.Add(slice);
        }

        var totalDesired = 0;
        foreach (var group in desired) totalDesired += group.Endpoints.Count;

        foreach (var (key, slices) in existingByGroup)
        {
            if (!groups.ContainsKey(key)) plan.Deletes.AddRange(slices);
        }

        foreach (var (key, group) in groups)
        {
            PlanGroup(existingByGroup.GetValueOrDefault(key) ?? [], group, newSlice, labels, maxPerSlice, plan);
        }

        if (totalDesired == 0) KeepPlaceholder(existing, desired, newSlice, labels, plan);
        return plan;
    }

    private static void PlanGroup(
        List<V1EndpointSlice> slices,
        DesiredGroup group,
        Func<string, IList<Discoveryv1EndpointPort>?, V1EndpointSlice> newSlice,
        IDictionary<string, string> labels,
        int maxPerSlice,
        SlicePlan plan)
    {
        var remaining = new Dictionary<string, V1Endpoint>(group.Endpoints, StringComparer.Ordinal);
        var updates = new List<V1EndpointSlice>();
        var unchanged = new List<V1EndpointSlice>();
        foreach (var slice in slices)
        {
            var kept = new List<V1Endpoint>();
            var changed = !LabelsMatch(slice, labels);
            foreach (var endpoint in slice.Endpoints ?? [])
            {
                if (remaining.Remove(EndpointKey(endpoint), out var wanted))
                {
                    if (!changed && KubernetesJson.Serialize(wanted) != KubernetesJson.Serialize(endpoint)) changed = true;
                    kept.Add(wanted);
                }
                else
                {
                    changed = true;
                }
            }

            if (kept.Count == 0)
            {
                plan.Deletes.Add(slice);
            }
            else if (changed)
            {
                updates.Add(WithEndpoints(slice, kept, labels));
            }
            else
            {
                unchanged.Add(slice);
            }
        }

        var queue = new Queue<V1Endpoint>(remaining.Values);

        // New endpoints go first into slices that are written anyway.
        foreach (var slice in updates)
        {
            while (slice.Endpoints.Count < maxPerSlice && queue.TryDequeue(out var endpoint)) slice.Endpoints.Add(endpoint);
        }

        // Full new slices, then the rest into the fullest unchanged slice that takes it whole, else one more new slice.
        while (queue.Count >= maxPerSlice)
        {
            var slice = newSlice(group.AddressType, group.Ports);
            for (var i = 0; i < maxPerSlice; i++) slice.Endpoints.Add(queue.Dequeue());
            plan.Creates.Add(slice);
        }

        if (queue.Count > 0)
        {
            V1EndpointSlice? target = null;
            foreach (var slice in unchanged)
            {
                var count = slice.Endpoints?.Count ?? 0;
                if (count + queue.Count <= maxPerSlice && (target is null || count > (target.Endpoints?.Count ?? 0))) target = slice;
            }

            if (target is not null)
            {
                var copy = WithEndpoints(target, [.. target.Endpoints ?? []], labels);
                while (queue.TryDequeue(out var endpoint)) copy.Endpoints.Add(endpoint);
                updates.Add(copy);
            }
            else
            {
                var slice = newSlice(group.AddressType, group.Ports);
                while (queue.TryDequeue(out var endpoint)) slice.Endpoints.Add(endpoint);
                plan.Creates.Add(slice);
            }
        }

        plan.Updates.AddRange(updates);
    }

    /// <summary>As upstream: a service with no endpoints keeps exactly one empty slice, reusing one already there.</summary>
    private static void KeepPlaceholder(
        IReadOnlyList<V1EndpointSlice> existing,
        IReadOnlyList<DesiredGroup> desired,
        Func<string, IList<Discoveryv1EndpointPort>?, V1EndpointSlice> newSlice,
        IDictionary<string, string> labels,
        SlicePlan plan)
    {
        var addressType = desired.Count > 0 ? desired[0].AddressType : "IPv4";
        var kept = existing.Count - plan.Deletes.Count;
        if (kept > 0) return;
        foreach (var slice in plan.Deletes)
        {
            if (slice.AddressType != addressType) continue;
            plan.Deletes.Remove(slice);
            if ((slice.Endpoints?.Count ?? 0) > 0 || slice.Ports is { Count: > 0 } || !LabelsMatch(slice, labels))
            {
                var copy = WithEndpoints(slice, [], labels);
                copy.Ports = null;
                plan.Updates.Add(copy);
            }

            return;
        }

        plan.Creates.Add(newSlice(addressType, null));
    }

    private static V1EndpointSlice WithEndpoints(V1EndpointSlice slice, List<V1Endpoint> endpoints, IDictionary<string, string> labels)
    {
        var copy = KubernetesJson.Deserialize<V1EndpointSlice>(KubernetesJson.Serialize(slice));
        copy.Endpoints = endpoints;
        copy.Metadata.Labels = new Dictionary<string, string>(labels);
        return copy;
    }

    private static bool LabelsMatch(V1EndpointSlice slice, IDictionary<string, string> labels)
    {
        var current = slice.Metadata.Labels;
        if ((current?.Count ?? 0) != labels.Count) return false;
        foreach (var (key, value) in labels)
        {
            if (current is null || !current.TryGetValue(key, out var other) || other != value) return false;
        }

        return true;
    }

    /// <summary>An endpoint's identity across syncs: the pod it points at, else its first address.</summary>
    public static string EndpointKey(V1Endpoint endpoint) =>
        endpoint.TargetRef?.Uid is { Length: > 0 } uid ? uid : endpoint.Addresses?.FirstOrDefault() ?? "";

    public static string GroupKey(string addressType, IList<Discoveryv1EndpointPort>? ports)
    {
        var keys = new List<string>();
        foreach (var port in ports ?? []) keys.Add($"{port.Name}|{port.Port}|{port.Protocol ?? "TCP"}|{port.AppProtocol}");
        keys.Sort(StringComparer.Ordinal);
        var builder = new StringBuilder(addressType);
        foreach (var key in keys) builder.Append(';').Append(key);
        return builder.ToString();
    }
}
