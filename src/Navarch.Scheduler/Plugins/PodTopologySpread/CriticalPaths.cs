namespace Navarch.Scheduler.Plugins.PodTopologySpread;

/// <summary>
/// The two domains with the fewest matching pods for one constraint, as kube-scheduler's criticalPaths: slot 0
/// always holds the minimum; slot 1 is at least as large (not necessarily the second minimum). Two are enough
/// because preemption removes pods on one node at a time, on its own copy of the state.
/// </summary>
internal sealed class CriticalPaths
{
    private (string? Value, int Num) _first = (null, int.MaxValue);
    private (string? Value, int Num) _second = (null, int.MaxValue);

    public int MinMatchNum => _first.Num;

    public string? MinValue => _first.Value;

    public CriticalPaths Clone() => new() { _first = _first, _second = _second };

    public void Update(string value, int num)
    {
        if (value == _first.Value || value == _second.Value)
        {
            if (value == _first.Value) _first.Num = num;
            else _second.Num = num;
            if (_first.Num > _second.Num) (_first, _second) = (_second, _first);
            return;
        }

        if (num < _first.Num)
        {
            _second = _first;
            _first = (value, num);
        }
        else if (num < _second.Num)
        {
            _second = (value, num);
        }
    }
}
