using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>
/// Server-side printing for one kind: the columns kubectl shows for it and the cells of one row, as
/// kube-apiserver's printers in pkg/printers/internalversion produce them.
/// </summary>
public interface ITableConvertor
{
    IReadOnlyList<TableColumn> Columns { get; }

    /// <summary>One row's cells, in column order. Cells are strings, integers or booleans.</summary>
    /// <param name="obj">The object.</param>
    /// <param name="now">The time ages are measured against.</param>
    object?[] Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now);
}
