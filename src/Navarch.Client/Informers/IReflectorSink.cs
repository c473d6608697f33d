namespace Navarch.Client.Informers;

/// <summary>Where a <see cref="Reflector{T}"/> delivers what it lists and watches; calls come from one task, in order.</summary>
internal interface IReflectorSink<in T>
{
    /// <summary>A complete list: everything present now (the rest is gone).</summary>
    void Replace(IReadOnlyList<T> items);

    void Add(T obj);

    void Update(T obj);

    void Delete(T obj);
}
