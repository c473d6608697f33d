using System.Globalization;
using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>The table kube-apiserver serves for kinds without printers of their own: Name and Created At.</summary>
public sealed class DefaultTableConvertor : ITableConvertor
{
    public static readonly DefaultTableConvertor Instance = new();

    private DefaultTableConvertor()
    {
    }

    public IReadOnlyList<TableColumn> Columns { get; } =
    [
        new("Name", "string", "name", "Name must be unique within a namespace."),
        new("Created At", "date", "", "CreationTimestamp is a timestamp representing the server time when this object was created."),
    ];

    public object?[] Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now) =>
    [
        obj.Metadata.Name,
        obj.Metadata.CreationTimestamp?.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
    ];
}
