//! Photon events: lazy event objects over legacy tag folders and NPFold folders, histories and selections.
