"""Writers: each turns planned or streamed data into one real file format."""
