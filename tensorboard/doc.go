// Package tensorboard writes and reads TensorBoard event files without a
// protobuf dependency.
//
// An event file is a sequence of TFRecords: each record is the
// little-endian uint64 length of its payload, the masked CRC32C of those
// eight bytes, the payload, and the masked CRC32C of the payload. The
// payloads are serialized tensorflow.Event protocol buffers; the first one
// carries file_version "brain.Event:2", the following ones carry summaries
// (scalars as simple_value, histograms as HistogramProto, images as
// Summary.Image with an encoded PNG). The messages are encoded by hand in
// this package with the field numbers of TensorFlow's event.proto and
// summary.proto.
//
// A Writer puts one file named events.out.tfevents.<unix secs>.<hostname>
// into a log directory, where `tensorboard --logdir DIR` finds it:
//
//	w, err := tensorboard.NewWriter("runs/exp1")
//	if err != nil { ... }
//	defer w.Close()
//	w.AddScalar("loss", 0.25, step)
//
// ReadEvents and NewRecordReader read the same framing back and verify
// every checksum.
package tensorboard
