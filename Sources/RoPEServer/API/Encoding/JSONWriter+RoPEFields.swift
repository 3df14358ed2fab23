import RoPE
import TensorCodecs

/// The members several answers share about the layer: whether it applies RoPE, and M-RoPE's slot axes.
extension JSONWriter {
    /// `"rope_applied": false` for a layer without RoPE; the member is absent when RoPE applies.
    mutating func ropeApplied(_ applied: Bool) {
        guard !applied else { return }
        key("rope_applied")
        value(false)
    }

    /// `"mrope_axis": ["t", "h", ...]`, the position axis of each frequency slot, for M-RoPE; absent otherwise.
    mutating func mropeAxes(_ axes: [MRoPESection.Axis]?) {
        guard let axes else { return }
        key("mrope_axis")
        beginArray()
        for axis in axes { value(axis.name) }
        endArray()
    }
}
