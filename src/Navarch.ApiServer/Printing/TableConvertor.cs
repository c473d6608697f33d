using k8s;
using k8s.Models;

namespace Navarch.ApiServer.Printing;

/// <summary>Base for a printer of one model type: checks the type once so each printer works on its typed model.</summary>
/// <typeparam name="T">The model the printer reads.</typeparam>
internal abstract class TableConvertor<T> : ITableConvertor
    where T : class, IKubernetesObject<V1ObjectMeta>
{
    public abstract IReadOnlyList<TableColumn> Columns { get; }

    public object?[] Cells(IKubernetesObject<V1ObjectMeta> obj, DateTimeOffset now) => obj is T typed
        ? Cells(typed, now)
        : throw new ArgumentException($"{GetType().Name} prints {typeof(T).Name}, not {obj.GetType().Name}.", nameof(obj));

    protected abstract object?[] Cells(T obj, DateTimeOffset now);
}
