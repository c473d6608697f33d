using k8s;
using k8s.Models;
using Navarch.ApiServer.Printing;

namespace Navarch.ApiServer.Tests.Printing;

/// <summary>One printed row, read by column name so tests state which column they check.</summary>
internal sealed class PrintedRow
{
    public static readonly DateTimeOffset Now = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly ITableConvertor _table;
    private readonly object?[] _cells;

    private PrintedRow(ITableConvertor table, object?[] cells)
    {
        _table = table;
        _cells = cells;
    }

    public object? this[string column]
    {
        get
        {
            for (var i = 0; i < _table.Columns.Count; i++)
            {
                if (_table.Columns[i].Name == column)
                {
                    return _cells[i];
                }
            }

            throw new KeyNotFoundException($"no column {column}");
        }
    }

    public IReadOnlyList<object?> Cells => _cells;

    public static PrintedRow Print(ITableConvertor table, IKubernetesObject<V1ObjectMeta> obj)
    {
        var cells = table.Cells(obj, Now);
        Assert.Equal(table.Columns.Count, cells.Length);
        return new PrintedRow(table, cells);
    }

    public static DateTime Ago(TimeSpan span) => (Now - span).UtcDateTime;

    public static V1ObjectMeta Meta(string name, TimeSpan? age = null) =>
        new() { Name = name, CreationTimestamp = Ago(age ?? TimeSpan.FromMinutes(5)) };
}
