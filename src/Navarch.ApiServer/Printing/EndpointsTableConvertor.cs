using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Endpoints as kube-apiserver prints them (printEndpoints): the first three ip:port pairs, then "+ N more...".</summary>
internal sealed class EndpointsTableConvertor : TableConvertor<V1Endpoints>
{
    private const int Max = 3;

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("Endpoints", "string", "", "The set of all endpoints is the union of all subsets."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1Endpoints endpoints, DateTimeOffset now) =>
        [endpoints.Metadata?.Name, Format(endpoints.Subsets), PrintFormat.Age(endpoints.Metadata, now)];

    /// <summary>formatEndpoints with every port.</summary>
    private static string Format(IList<V1EndpointSubset>? subsets)
    {
        if (subsets is null || subsets.Count == 0)
        {
            return PrintFormat.None;
        }

        var list = new List<string>(Max);
        var more = false;
        var count = 0;
        foreach (var subset in subsets)
        {
            var addresses = subset.Addresses ?? [];
            if (subset.Ports is not { Count: > 0 } ports)
            {
                // A headless service may have no ports: list bare addresses.
                count += addresses.Count;
                foreach (var address in addresses)
                {
                    if (list.Count == Max)
                    {
                        more = true;
                        break;
                    }

                    list.Add(address.Ip);
                }

                continue;
            }

            foreach (var port in ports)
            {
                count += addresses.Count;
                foreach (var address in addresses)
                {
                    if (list.Count == Max)
                    {
                        more = true;
                        break;
                    }

                    list.Add(PrintFormat.JoinHostPort(address.Ip, port.Port));
                }
            }
        }

        var joined = string.Join(",", list);
        return more ? joined + " + " + (count - Max) + " more..." : joined;
    }
}
