using System.Globalization;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>EndpointSlices as kube-apiserver prints them (printEndpointSlice).</summary>
internal sealed class EndpointSliceTableConvertor : TableConvertor<V1EndpointSlice>
{
    private const int Max = 3;

    public override IReadOnlyList<TableColumn> Columns { get; } =
    [
        CommonColumns.Name,
        new("AddressType", "string", "", "addressType specifies the type of address carried by this EndpointSlice."),
        new("Ports", "string", "", "ports specifies the list of network ports exposed by each endpoint in this slice."),
        new("Endpoints", "string", "", "endpoints is a list of unique endpoints in this slice."),
        CommonColumns.Age,
    ];

    protected override object?[] Cells(V1EndpointSlice slice, DateTimeOffset now) =>
        [slice.Metadata?.Name, slice.AddressType ?? "", Ports(slice.Ports), Endpoints(slice.Endpoints), PrintFormat.Age(slice.Metadata, now)];

    /// <summary>formatDiscoveryPorts: the port number, else its name, else "*".</summary>
    private static string Ports(IList<Discoveryv1EndpointPort>? ports)
    {
        var list = new List<string>(Max);
        var more = false;
        var count = 0;
        foreach (var port in ports ?? [])
        {
            if (list.Count < Max)
            {
                list.Add(port.Port is { } number ? number.ToString(CultureInfo.InvariantCulture) : port.Name ?? "*");
            }
            else
            {
                more = true;
            }

            count++;
        }

        return PrintFormat.ListWithMore(list, more, count, Max);
    }

    /// <summary>formatDiscoveryEndpoints: every address of every endpoint.</summary>
    private static string Endpoints(IList<V1Endpoint>? endpoints)
    {
        var list = new List<string>(Max);
        var more = false;
        var count = 0;
        foreach (var endpoint in endpoints ?? [])
        {
            foreach (var address in endpoint.Addresses ?? [])
            {
                if (list.Count < Max)
                {
                    list.Add(address);
                }
                else
                {
                    more = true;
                }

                count++;
            }
        }

        return PrintFormat.ListWithMore(list, more, count, Max);
    }
}
