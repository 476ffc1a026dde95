// SPDX-License-Identifier: MIT
#include "models/runbooksection.h"

#include "models/textrepair.h"

QString RunbookCodeBlock::displayText() const { return TextRepair::repairMojibake(text); }
